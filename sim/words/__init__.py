"""The words salesim prints: number formats, headline sentences and deal stories.

One vocabulary for every reader: the terminal (``salesim run``, ``compare``, ``replay``), the HTML reports and
the workshop app all take their labels, sentences and deal stories from here, so a figure or an event reads the
same wherever it is shown.
"""
