"""Seeing what the pipeline did: grids in the terminal (show), a field's provenance (explain), two
reports side by side (diff), PDF overlays (debug_pdf) and the static review site (review/)."""
