"""The person model's charts, saved as standalone HTML beside the run's reports.

Splink's charts are Vega-Lite specifications; Splink ships the Vega, Vega-Lite and Vega-Embed
scripts inside its package (`internals/files/external_js`), and `save(..., inline=True)` embeds
them, so the files open on an office computer with no internet (no CDN is reachable here).

- `link_match_weights.html`: every comparison level's match weight: what each agreement or
  disagreement is worth, in bits of evidence.
- `link_waterfall.html`: how one pair's weights add up to its probability; the pair is the
  least certain accepted probabilistic link, the one an inspector would ask about first.
"""

from __future__ import annotations

from pathlib import Path

from lamsach.link.training import PersonModel

MATCH_WEIGHTS_FILE = "link_match_weights.html"
WATERFALL_FILE = "link_waterfall.html"


def save_charts(model: PersonModel, out_dir: Path, pair: list[dict]) -> list[Path]:
    """Write the charts into `out_dir`; the waterfall only when there is a pair to show."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [out_dir / MATCH_WEIGHTS_FILE]
    model.linker.visualisations.match_weights_chart().save(str(written[0]), inline=True)
    if pair:
        written.append(out_dir / WATERFALL_FILE)
        model.linker.visualisations.waterfall_chart(pair, filter_nulls=False).save(str(written[1]), inline=True)
    return written
