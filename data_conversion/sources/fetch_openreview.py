"""Fetch an OpenReview venue's papers and reviews into reviews/<id>.json and pdfs/<id>.pdf.

With the official client (openreview-py, API v2): lists VENUE_ID's submissions with their
official reviews, meta review and decision, writes OUT_DIR/reviews/<id>.json in the layout
from_openreview reads and downloads OUT_DIR/pdfs/<id>.pdf. Known venues and their form
fields: review_ext/formats/venues.py (ICLR 2024/2025, NeurIPS 2023-2025, TMLR).

Rerun the same command to resume: papers whose two files exist are not fetched again.
Withdrawn, desk-rejected and unreviewed papers are skipped and counted. Exit status 1 when
the folder holds no paper of the venue or a paper failed (rerun to retry it).

Login: set OPENREVIEW_USERNAME and OPENREVIEW_PASSWORD, or pass --login to be asked
(the password is read without echo). Without them it fetches as a guest. Credentials are
never written to disk.

Usage::

    python -m data_conversion.fetch_openreview ICLR.cc/2025/Conference data/iclr_2025
    python -m data_conversion.fetch_openreview NeurIPS.cc/2025/Conference data/neurips_2025 \\
        --limit 500 --accepted-only
    OPENREVIEW_USERNAME=me@example.org python -m data_conversion.fetch_openreview TMLR \\
        data/tmlr --login --min-interval 2
"""
from __future__ import annotations

import sys
from pathlib import Path

from review_ext.common.cli import doc_parser
from review_ext.common.files import LockedError
from review_ext.formats.venues import UnknownVenue

from .openreview_fetch import (
    DEFAULT_API,
    FetchError,
    FetchOptions,
    FetchReport,
    credentials,
    fetch_venue,
)


def parse_args(argv=None):
    parser = doc_parser(__doc__)
    parser.add_argument("venue_id", help="OpenReview venue id, e.g. ICLR.cc/2025/Conference")
    parser.add_argument("out_dir", type=Path, help="output folder (reviews/ and pdfs/ in it)")
    parser.add_argument("--limit", type=int, default=None, metavar="N",
                        help="only the first N papers that qualify (by id; resumable)")
    parser.add_argument("--accepted-only", action="store_true",
                        help="skip papers the venue did not accept")
    parser.add_argument("--login", action="store_true",
                        help="ask for the username and password the environment lacks")
    parser.add_argument("--api-url", default=DEFAULT_API, help=f"API v2 base URL "
                        f"(default: {DEFAULT_API})")
    parser.add_argument("--min-interval", type=float, default=1.0, metavar="S",
                        help="seconds between two requests (default: 1.0)")
    parser.add_argument("--retries", type=int, default=8,
                        help="retries of a request on 429/5xx or a lost connection (default: 8)")
    parser.add_argument("--backoff", type=float, default=1.0, metavar="S",
                        help="first retry wait in seconds, doubled each retry (default: 1.0)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    if args.limit is not None and args.limit < 1:
        parser.error("--limit must be at least 1")
    if args.min_interval < 0 or args.retries < 0 or args.backoff < 0:
        parser.error("--min-interval, --retries and --backoff cannot be negative")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    options = FetchOptions(args.venue_id, args.out_dir, limit=args.limit,
                           accepted_only=args.accepted_only, api_url=args.api_url,
                           min_interval=args.min_interval, retries=args.retries,
                           backoff=args.backoff, progress=not args.no_progress)
    try:
        report: FetchReport = fetch_venue(options, credentials(ask=args.login))
    except (FetchError, UnknownVenue, LockedError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(report.summary(), file=sys.stderr)
    return report.exit_code

