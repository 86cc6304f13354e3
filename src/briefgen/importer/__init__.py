"""``briefgen import FILE``: a plain-text or Markdown article with endnote markers becomes a brief.

The stages follow the data: :mod:`.article` splits the text into title, authors, sections and
the reference list and finds the markers; :mod:`.references` reads each free-text reference into
BibTeX fields; :mod:`.compose` gives every reference a key and writes the brief's files and the
BibTeX to append; :mod:`.command` is the command line. The records they share are in
:mod:`.records`.
"""
