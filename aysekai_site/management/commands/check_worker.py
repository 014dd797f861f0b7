from typing import Any

from celery.exceptions import TimeoutError as CeleryTimeoutError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from kombu.exceptions import OperationalError

from aysekai_site.tasks import ping


class Command(BaseCommand):
    help = "Send a ping task through the broker and wait for a worker to answer."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--timeout", type=float, default=10.0, help="seconds to wait")

    def handle(self, *args: Any, timeout: float, **options: Any) -> None:
        try:
            result = ping.delay()
            answer = result.get(timeout=timeout)
        except OperationalError as exc:
            raise CommandError(f"The broker cannot be reached: {exc}") from None
        except CeleryTimeoutError:
            raise CommandError(f"No worker answered within {timeout:g} seconds.") from None
        except Exception as exc:  # the worker's own failure, re-raised here by Celery
            raise CommandError(f"The worker failed the ping: {exc!r}") from None
        self.stdout.write(f"Worker answered: {answer}")
