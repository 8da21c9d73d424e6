#!/usr/bin/env bash
# How assets/fonts/NotoSerifCJKsc-Regular.subset.otf was made (run once; the result is committed
# so that builds need no font package). Noto Serif CJK SC (SIL OFL 1.1, no reserved names) from
# Debian's fonts-noto-cjk, cut to Latin, CJK punctuation, full-width forms and all 20,992 CJK
# Unified Ideographs (U+4E00–U+9FFF, the ideographs of GBK/GB18030's two-byte area), without
# hinting or OpenType layout (the renderer places glyphs itself).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v pyftsubset >/dev/null || pip install fonttools
[ -f /usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc ] ||
    apt-get install -y --no-install-recommends fonts-noto-cjk
pyftsubset /usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc --font-number=2 \
    --unicodes="U+0020-007E,U+00A0-00FF,U+2010-2027,U+2030-203B,U+2160-216B,U+2460-2473,U+25A0-25CF,U+3000-303F,U+3105-312F,U+4E00-9FFF,U+FE30-FE4F,U+FF01-FF5E,U+FFE0-FFE5" \
    --layout-features='' --no-hinting \
    --output-file=assets/fonts/NotoSerifCJKsc-Regular.subset.otf
