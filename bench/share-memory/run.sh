#!/usr/bin/env bash
# Peak RSS of `xray upload` and `xray download` (GNU time -v) for large images.
# Usage: bench/share-memory/run.sh <xray-root> <label> [sizes in MB...]
# The image: a real chest X-ray (PNG) with pseudo-random bytes appended up to the size.
# upload only sniffs the first bytes (an image header), and the cost of OpenPGP and IPFS
# does not depend on what the bytes mean; random bytes neither compress nor dedupe.
set -euo pipefail
ROOT=$(cd "$1" && pwd); LABEL=$2; shift 2
SIZES=${*:-200 1000}
WORK=${WORK:-/tmp/xray-share-memory}
mkdir -p "$WORK"
SRC=$(ls /work/shared/data/cxr/originals/normal/* | head -1)
XR="node $ROOT/bin/xray.js"
export XRAY_PASSPHRASE=bench-pass
for mb in $SIZES; do
  img="$WORK/img-$mb.png"
  if [ ! -f "$img" ]; then
    node -e "
      const sharp=require('$ROOT/node_modules/sharp'); const fs=require('fs'); const crypto=require('crypto');
      (async()=>{const png=await sharp(process.argv[1]).png().toBuffer(); const fd=fs.openSync(process.argv[2],'w'); fs.writeSync(fd,png);
      let left=$mb*1e6-png.length; let block=crypto.randomBytes(1<<20);
      while(left>0){const n=Math.min(left,block.length); fs.writeSync(fd,block,0,n); left-=n;} fs.closeSync(fd);})()" "$SRC" "$img"
  fi
  home="$WORK/home-$LABEL-$mb"; rm -rf "$home"; export XRAY_HOME=$home
  $XR init -q >/dev/null; $XR set-permission doctor Dr.Lee doctor -q >/dev/null
  $XR keys generate --name Ken --account patient -q >/dev/null; $XR keys generate --name Lee --account doctor -q >/dev/null
  for step in upload download; do
    out="$WORK/out-$LABEL-$mb.png"; rm -f "$out"
    if [ $step = upload ]; then args=(upload "$img" --to patient); else args=(download '#0' --out "$out" --from patient); fi
    /usr/bin/time -v $XR "${args[@]}" >"$WORK/$LABEL-$mb-$step.out" 2>"$WORK/$LABEL-$mb-$step.time" || { echo "$step failed"; tail -3 "$WORK/$LABEL-$mb-$step.time"; }
    rss=$(awk -F': ' '/Maximum resident/{print $2}' "$WORK/$LABEL-$mb-$step.time")
    wall=$(awk -F': ' '/Elapsed \(wall/{print $2}' "$WORK/$LABEL-$mb-$step.time")
    echo "$LABEL $mb MB $step: peak RSS $((rss/1024)) MB, wall $wall"
  done
  [ "$(sha256sum < "$img")" = "$(sha256sum < "$out")" ] && echo "$LABEL $mb MB: round trip identical" || echo "$LABEL $mb MB: MISMATCH"
  rm -rf "$home" "$out"
done
