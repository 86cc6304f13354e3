"""``briefgen serve``: build, serve the site on 127.0.0.1 and rebuild it whenever a source changes.

The pieces, in the order a change flows through them: :mod:`~briefgen.serve.watch` notices a
changed source, :mod:`~briefgen.serve.live` rebuilds in a worker thread and publishes the outcome
on :mod:`~briefgen.serve.events`, and :mod:`~briefgen.serve.http` serves the last good site with a
small script (``client.js``) that listens for those events. The script is added to each HTML
response as it is sent, never written into the site, which stays byte for byte what
``briefgen build`` writes.
"""

from __future__ import annotations
