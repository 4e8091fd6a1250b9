"""Sources: papers and their reviews as published -> input/output rows.

``fetch_openreview`` downloads a venue's reviews and PDFs from OpenReview into a paper
folder. ``peerread`` and ``openreview`` read paper folders (``reviews/<id>.json`` with
``parsed_pdfs/<id>.pdf.json``, or ``pdfs/<id>.pdf`` where there is no parsed PDF) through
``paper_folders``, the part they share; ``pdf`` reads a PDF itself (with ``pdf_lines``). The
parsed-PDF readers turn one parser's JSON into the paper's parts: ``science_parse`` (PeerRead)
and ``docling`` (OpenReview), which uses ``line_numbers`` to remove a draft's line numbers fused
into the text.
"""
