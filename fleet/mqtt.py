"""One paho-mqtt client per Sparkplug role, configured from MqttSettings (TLS, credentials, reconnects)."""

from __future__ import annotations

import ssl

import paho.mqtt.client as paho

from fleet.settings import MqttSettings

QOS0, QOS1 = 0, 1


def make_client(settings: MqttSettings, *, client_id: str) -> paho.Client:
    """A clean-session MQTT 3.1.1 client that reconnects by itself (0.2 s to 5 s between attempts)."""
    client = paho.Client(client_id=client_id, clean_session=True, protocol=paho.MQTTv311)
    if settings.username is not None:
        client.username_pw_set(settings.username, settings.password)
    if settings.tls:
        client.tls_set(
            ca_certs=str(settings.mqtt_ca_file) if settings.mqtt_ca_file else None,
            certfile=str(settings.mqtt_cert_file) if settings.mqtt_cert_file else None,
            keyfile=str(settings.mqtt_key_file) if settings.mqtt_key_file else None,
            cert_reqs=ssl.CERT_REQUIRED,
        )
    client.reconnect_delay_set(min_delay=1, max_delay=5)
    client.max_queued_messages_set(0)  # unbounded: the caller only publishes while connected
    return client


def connect(client: paho.Client, settings: MqttSettings) -> None:
    """Start the network thread and connect in the background (retried until `stop`)."""
    client.connect_async(settings.host, settings.port, keepalive=settings.mqtt_keepalive_s)
    client.loop_start()


def disconnect(client: paho.Client) -> None:
    """Disconnect cleanly (no will is sent) and stop the network thread."""
    try:
        client.disconnect()
    finally:
        client.loop_stop()
