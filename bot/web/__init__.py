"""The web app: printable checklists and their PDFs (more pages come by feature). Built by create_app()."""
