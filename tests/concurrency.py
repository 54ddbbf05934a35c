"""Running the same code in several threads at once, for the race tests on PostgreSQL.

Each thread has its own database connection, so such tests commit for real
(``django_db(transaction=True)``); each thread closes its connection at the end."""

import threading

from django.db import connections


def run_together(target, arguments):
    """Run ``target(argument)`` in one thread per argument, released at the same moment;
    returns the results and the errors."""
    barrier = threading.Barrier(len(arguments))
    results, errors = [], []

    def worker(argument):
        try:
            barrier.wait(timeout=30)
            results.append(target(argument))
        except Exception as error:  # noqa: BLE001  (reported by the test)
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(argument,)) for argument in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results, errors
