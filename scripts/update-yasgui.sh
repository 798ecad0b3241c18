#!/usr/bin/env bash
# Refresh the YASGUI files the query UI serves, from the npm package @triply/yasgui.
#
#   scripts/update-yasgui.sh [VERSION]    (default: the version in server/static/yasgui/VERSION)
#
# Copies the two built files the page loads, the package's license and the licenses of the
# libraries bundled into the script, records the version and the files' SHA-256 sums (a test
# checks them), and nothing else: no node_modules, no source map. Needs npm and the registry.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=server/static/yasgui
version="${1:-$(cat "$dest/VERSION")}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "@triply/yasgui@$version" >/dev/null)
tar -xzf "$work"/triply-yasgui-*.tgz -C "$work"
package="$work/package"
packed="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["version"])' "$package/package.json")"

cp "$package/build/yasgui.min.js" "$package/build/yasgui.min.css" "$dest/"
cp "$package/LICENSE.txt" "$dest/LICENSE.txt"
cp "$package/build/yasgui.min.js.LICENSE.txt" "$dest/yasgui.min.js.LICENSE.txt"
echo "$packed" >"$dest/VERSION"
(cd "$dest" && sha256sum yasgui.min.js yasgui.min.css >SHA256SUMS)
echo "YASGUI $packed copied to $dest; update the version in $dest/README.md and CHANGELOG.md"
