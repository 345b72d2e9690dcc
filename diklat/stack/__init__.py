"""Local servers for dev and tests: embedded Postgres, Tansu and a reference Apache Kafka."""

from diklat.stack.apache_kafka import ApacheKafka
from diklat.stack.postgres import EmbeddedPostgres
from diklat.stack.processes import PortTaken
from diklat.stack.stack import ServiceStatus, StackConfig, StackStatus, down, status, up
from diklat.stack.tansu import TansuBroker

__all__ = [
    "ApacheKafka",
    "EmbeddedPostgres",
    "PortTaken",
    "ServiceStatus",
    "StackConfig",
    "StackStatus",
    "TansuBroker",
    "down",
    "status",
    "up",
]
