"""The plant as data: tags, devices and their loader."""

from lockpilot.plant.loader import load_plant
from lockpilot.plant.model import DataType, Device, Plant, Protocol, Tag, TagGroup

__all__ = ["DataType", "Device", "Plant", "Protocol", "Tag", "TagGroup", "load_plant"]
