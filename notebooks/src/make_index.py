"""Write index.html linking every rendered notebook page in a folder (used by `make run`)."""

import html
import sys
from pathlib import Path

folder = Path(sys.argv[1])
pages = sorted(p for p in folder.glob("*.html") if p.name != "index.html")
items = "\n".join(f'<li><a href="{html.escape(p.name)}">{html.escape(p.stem)}</a></li>' for p in pages)
(folder / "index.html").write_text(
    "<!doctype html><meta charset='utf-8'><title>VAE latent-space notebooks</title>"
    f"<h1>VAE latent-space notebooks</h1><p>Executed with default parameters.</p><ul>{items}</ul>\n"
)
