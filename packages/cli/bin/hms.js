#!/bin/sh
':' /*
# The `hms` command: a file that is both a POSIX shell script and an ES module. A committed file
# (not the build output) so that npm links it at install time, before the first build.
#
# As a shell script it picks how Node starts. A quick command (one that ends once answered and
# loads no plugin: src/quick-commands.ts, kept in step with the list below) starts from the
# start-up snapshot the build made (dist/quick, scripts/build-quick-start.mjs), which holds
# commander, the NATS client and msgpackr already evaluated: but a snapshot loads only in the
# Node binary that built it, so only when `node` on PATH is a path dist/quick/node lists, of
# the size and modification time it records. Anything else, no snapshot, HMS_CLI_PATH=plain, or
# NODE_OPTIONS set (a Node started from a snapshot skips some of them, --import among them): Node
# runs this file as the ES module below, which loads dist/bin.js. HMS_CLI_PATH=which prints the
# path it would take (quick or plain) instead of running the command.
#
# It uses GNU or busybox `stat` and `readlink -f` (Linux); where they differ, the check fails
# quietly and the command runs unbundled.
#
# Line 2 is a no-op to the shell and opens a comment to JavaScript; no `*` followed by `/` may
# appear in the shell part. (biome.json turns its formatter off here: it would add a `;` after
# the ':', and the shell would then run the first entry of / as a command.)
quick=
if [ "${HMS_CLI_PATH:-}" != plain ] && [ -z "${NODE_OPTIONS:-}" ]; then
  word=
  skip=
  for a in "$@"; do
    if [ -n "$skip" ]; then skip=; continue; fi
    case $a in
      # src/command-line-scan.ts: the global options that take a value
      --nats | --swarm | --creds | --tls-ca | --tls-cert | --tls-key | --codec) skip=1 ;;
      -*) ;;
      *)
        if [ -z "$word" ]; then
          word=$a
          case $word in agent | heal | node | system) quick=1 ;; *) break ;; esac
        else
          [ "$word" = node ] && [ "$a" = start ] && quick=
          break
        fi
        ;;
    esac
  done
fi
node=
if [ -n "$quick" ]; then
  IFS_=$IFS
  IFS=:
  for d in $PATH; do
    if [ -x "${d:-.}/node" ] && [ ! -d "${d:-.}/node" ]; then node=${d:-.}/node; break; fi
  done
  IFS=$IFS_
  # The package's folder: through npm's bin link without running readlink, when it is one.
  case $0 in
    *node_modules/.bin/hms) pkg=${0%/.bin/hms}/@hms/cli ;;
    *) pkg=${0%/*}/.. ;;
  esac
  if [ ! "$0" -ef "$pkg/bin/hms.js" ]; then
    pkg=$(readlink -f -- "$0" 2>/dev/null)
    pkg=${pkg%/*}/..
  fi
  stamp=$pkg/dist/quick/node
  if [ -n "$node" ] && [ -f "$stamp" ] && [ -f "$pkg/dist/quick/hms.blob" ]; then
    listed=
    {
      read -r identity
      while read -r path; do [ "$path" = "$node" ] && listed=1; done
    } < "$stamp"
    if [ -n "$listed" ] && [ "$(stat -L -c '%s %Y' -- "$node" 2>/dev/null)" = "$identity" ]; then
      if [ "${HMS_CLI_PATH:-}" = which ]; then echo quick; exit 0; fi
      HMS_QUICK_ARGC=$# exec "$node" --snapshot-blob "$pkg/dist/quick/hms.blob" -- "$@"
    fi
  fi
fi
if [ "${HMS_CLI_PATH:-}" = which ]; then echo plain; exit 0; fi
exec node "$0" "$@"
*/
import('../dist/bin.js').catch((err) => {
  if (err?.code === 'ERR_MODULE_NOT_FOUND') {
    process.stderr.write('hms: not built yet: run npm run build (or npm start) first\n');
    process.exit(1);
  }
  throw err;
});
