"""`nianbao review DIR`: a static HTML site for reviewing a batch (site.py builds it).

Static on purpose: reviewers open DIR/review/index.html from a file share or an archive, with no
server, no CDN and no network; the CSS, the JS and every value are in the files.
"""
