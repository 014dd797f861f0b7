#!/usr/bin/env bash
# Refresh static/vendor/ from the npm packages pinned in package.json (maintainers only:
# the vendored files are committed, so `make run` needs neither npm nor the network).
set -euo pipefail
cd "$(dirname "$0")/.."

npm install --no-audit --no-fund --ignore-scripts
vendor=static/vendor

rm -rf "$vendor/htmx" "$vendor/amiri" "$vendor/scheherazade" "$vendor/noto-sans-arabic"
mkdir -p "$vendor/htmx" "$vendor/amiri" "$vendor/scheherazade" "$vendor/noto-sans-arabic"
cp node_modules/htmx.org/dist/htmx.min.js "$vendor/htmx/"
cp node_modules/htmx.org/LICENSE "$vendor/htmx/LICENSE"
# Amiri subset to the Arabic the site shows (fonttools, from requirements/dev.txt).
# Scheherazade New (the verses' face) subset to the verses' characters; Noto Sans Arabic (the
# Arabic interface's face) to a fixed set of Arabic letters, marks, digits and punctuation.
"${SUBSET_PYTHON:-.venv/bin/python}" scripts/subset_fonts.py node_modules/@fontsource/amiri/files "$vendor/amiri" \
  node_modules/@fontsource/scheherazade-new/files "$vendor/scheherazade" \
  node_modules/@fontsource/noto-sans-arabic/files "$vendor/noto-sans-arabic"
cp node_modules/@fontsource/amiri/LICENSE "$vendor/amiri/LICENSE"
cp node_modules/@fontsource/scheherazade-new/LICENSE "$vendor/scheherazade/LICENSE"
cp node_modules/@fontsource/noto-sans-arabic/LICENSE "$vendor/noto-sans-arabic/LICENSE"

htmx_version=$(node -p 'require("./node_modules/htmx.org/package.json").version')
amiri_version=$(node -p 'require("./node_modules/@fontsource/amiri/package.json").version')
verses_version=$(node -p 'require("./node_modules/@fontsource/scheherazade-new/package.json").version')
ui_version=$(node -p 'require("./node_modules/@fontsource/noto-sans-arabic/package.json").version')
cat > "$vendor/README.md" <<MD
# Vendored front-end assets

Copied from npm packages by \`scripts/vendor_assets.sh\` (versions pinned in \`package.json\`).
Served by whitenoise from our own origin; nothing is loaded from a CDN.

| asset | npm package | version | licence |
|---|---|---|---|
| htmx/htmx.min.js | htmx.org | ${htmx_version} | 0BSD (htmx/LICENSE) |
| amiri/amiri-arabic-{400,700}-subset.woff2 (subset by scripts/subset_fonts.py) | @fontsource/amiri | ${amiri_version} | SIL OFL 1.1 (amiri/LICENSE) |
| scheherazade/scheherazade-new-arabic-400-subset.woff2 (the verses; subset by scripts/subset_fonts.py) | @fontsource/scheherazade-new | ${verses_version} | SIL OFL 1.1 (scheherazade/LICENSE) |
| noto-sans-arabic/noto-sans-arabic-arabic-{400,700}-subset.woff2 (the Arabic interface; subset by scripts/subset_fonts.py) | @fontsource/noto-sans-arabic | ${ui_version} | SIL OFL 1.1 (noto-sans-arabic/LICENSE) |
MD
echo "Vendored htmx ${htmx_version}, Amiri ${amiri_version}, Scheherazade New ${verses_version} and Noto Sans Arabic ${ui_version} into ${vendor}/"
