"""Background jobs: long work (a matching run, a large import) off the web request.

A small API over django-tasks with its database backend (``django_tasks_db``): the queue
lives in the application's own database, so no extra server is needed; ``reunite serve``
starts a worker beside the web server and ``reunite worker`` runs one alone. See
``docs/jobs.md``.

>>> from reunite.jobs.api import enqueue, register          # doctest: +SKIP
>>> register("imports.children", "reunite.registry.jobs.import_children")  # doctest: +SKIP
>>> job = enqueue("imports.children", owner=user, params={"path": "..."})  # doctest: +SKIP
>>> job.state, job.percent, job.result, job.error           # doctest: +SKIP

A handler is ``handler(job: Job, progress: Progress) -> dict``: it reads ``job.params``,
``job.owner`` and ``job.request_id``, calls ``progress(message, done, total)`` now and
then, and returns a JSON-serialisable result; an exception fails the job with its message.
"""
