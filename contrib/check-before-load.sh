#!/bin/sh
# Check a new serial of your Arrêt feed against the transparency log before your
# resolvers use it; load it only when it is exactly the policy logged for that serial.
#
#   1. fetch the zone into a staging file (IXFR, or AXFR the first time) with your TSIG key;
#   2. `arret log check-zone`: the serial's leaf is in a tree head signed by the log's key
#      (pinned with ARRET_KEY_ID, if set) that extends the head seen last time, and the
#      staging zone's digest is the one logged;
#   3. only then put the file in place (atomically) and run RELOAD.
#
# On any failure it exits non-zero, leaves the live file as it was and reloads nothing:
# the resolvers keep the last verified policy. Run it from cron or a systemd timer
# (every minute matches the feed's SOA refresh).
#
# Settings (environment):
#   ARRET_URL       the Arrêt server, e.g. https://arret.example.org
#   ARRET_OPERATOR  your operator name, e.g. orange
#   ARRET_TOKEN     your operator token (arret token create --role operator:NAME)
#   ARRET_FEED      the feed, HOST:PORT
#   TSIG_NAME       your TSIG key name      TSIG_SECRET  its secret (base64)
#   LIVE            the zone file your resolver reads (e.g. /var/lib/unbound/arret.rpz)
#   RELOAD          the command that makes it read the file again, e.g.
#                   "unbound-control auth_zone_reload orange.rpz.arret."
#   ARRET_KEY_ID    optional: the log key id you expect (from GET /api/log/key)
#   ARRET_HEAD      optional: where to keep the newest tree head seen (default:
#                   $LIVE.head.json); every new one must extend it, or nothing is loaded
#   ARRET           optional: the arret command (default: arret)
set -eu

: "${ARRET_URL:?}" "${ARRET_OPERATOR:?}" "${ARRET_TOKEN:?}" "${ARRET_FEED:?}" "${LIVE:?}"
: "${RELOAD:?}" "${TSIG_NAME:?}" "${TSIG_SECRET:?}"
ARRET=${ARRET:-arret}
staging="$LIVE.staging"

# The secret goes through the environment (a command line is visible to every local user);
# --verbatim keeps the zone as served, so its digest is the one logged.
ARRET_TSIG_SECRET="$TSIG_SECRET" "$ARRET" feed sync --once --verbatim --server "$ARRET_FEED" \
    --zone "$ARRET_OPERATOR.rpz.arret." --out "$staging" --key-name "$TSIG_NAME"

if [ -f "$LIVE" ] && cmp -s "$staging" "$LIVE"; then
    exit 0 # nothing new
fi

export ARRET_TOKEN
"$ARRET" log check-zone "$staging" --server "$ARRET_URL" --operator "$ARRET_OPERATOR" \
    --head "${ARRET_HEAD:-$LIVE.head.json}" ${ARRET_KEY_ID:+--key-id "$ARRET_KEY_ID"}

cp "$staging" "$LIVE.new"
mv "$LIVE.new" "$LIVE"
sh -c "$RELOAD"
