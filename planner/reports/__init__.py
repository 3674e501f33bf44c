"""Printable reports: the treatment record, the patient handout, the cycle comparison.

Each report has a service gathering its data from the database (``record``,
``handout``, ``comparison``), a template in ``templates/reports/``, and one
renderer (``render_pdf``) turning the HTML into a PDF with WeasyPrint.
"""
