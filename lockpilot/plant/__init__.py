"""The plant as data: tags, devices, meters, parameters and the command allow-list, and their loader."""

from lockpilot.plant.loader import load_plant
from lockpilot.plant.model import DataType, Device, Protocol, Tag, TagGroup
from lockpilot.plant.plant import Plant

__all__ = ["DataType", "Device", "Plant", "Protocol", "Tag", "TagGroup", "load_plant"]
