#!/usr/bin/env bash
# Runs Microsoft's per-method IIS native-code samples in httpserv and compares what a client
# gets with what the IIS reference pages document (docs/iis-compat.md, "Microsoft's
# per-method samples"). Not run by CI: it needs a checkout of MicrosoftDocs/iis-docs, which
# this script does not download.
#
# Usage: scripts/ms-samples.sh IIS_DOCS_CHECKOUT [--server PATH] [--out DIR] [--only NAME...]
#            [--markdown]
#   IIS_DOCS_CHECKOUT  a tree with samples/snippets/cpp/VS_Snippets_IIS/IIS7 and
#                      iis/web-development-reference/native-code-api-reference (e.g. a clone)
#   --server           the httpserv binary (default build/src/server/httpserv)
#   --out              where the .so files and logs go (default /tmp/httpserv-ms-samples)
#   --only             run only the cases whose name contains one of these words
#   --markdown         print the table as Markdown (for docs/iis-compat.md)
#
# Each sample is compiled unmodified, the plain way (`g++ -std=c++17 -O2 -fPIC -shared -w
# -I include/httpserv/compat -I include/httpserv`, again with -DUNICODE -D_UNICODE if that
# fails), loaded with --module (several samples of one case in priority order, when the
# documented behaviour needs a second sample to show it), sent the request the page implies
# with a raw socket, and the status, headers, body and (for samples that write to the Event
# Viewer) the server's log are compared with the documented output. Prints one line per case:
# PASS, FAIL (what differs) or SKIP (why it cannot run here). Exit status 1 if any FAIL.
exec python3 "$(dirname "$0")/ms_samples.py" "$@"
