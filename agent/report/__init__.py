"""The report after the show (复盘): the on-air record, or a rehearsal, read into figures and written as one
self-contained HTML page (``livehost report``); the same figures, live, for the console.

Pure: ``load`` reads a record file into :class:`agent.report.load.ShowData`, ``figures`` turns it into tables,
``page`` writes them with their charts; the embedder that groups unanswered questions by meaning is passed in.
"""
