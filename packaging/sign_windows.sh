#!/usr/bin/env bash
# Authenticode-signs Windows executables on Linux with osslsigncode, then verifies each
# signature; a file that does not verify stops the build.
#
#   GONGKAI_SIGN_PFX=cert.pfx GONGKAI_SIGN_PASSWORD_FILE=pass.txt \
#     packaging/sign_windows.sh FILE.exe...
#
# GONGKAI_SIGN_PFX           the code-signing certificate and key (PKCS#12)
# GONGKAI_SIGN_PASSWORD_FILE a file holding its password (not on the command line)
# GONGKAI_SIGN_TIMESTAMP_URL an RFC 3161 time-stamping server (optional; without it the
#                            signature is only valid while the certificate is)
# GONGKAI_SIGN_CA            the CA bundle to verify against (default: the system's; a
#                            self-signed test certificate's own PEM for a trial run)
# packaging/build_windows_wine.sh calls it for both executables and both installers when
# GONGKAI_SIGN_PFX is set. On Windows, the workflow uses signtool the same way.
set -euo pipefail
: "${GONGKAI_SIGN_PFX:?set GONGKAI_SIGN_PFX to the .pfx certificate}"
command -v osslsigncode >/dev/null || { echo "sign_windows: apt-get install osslsigncode" >&2; exit 1; }
CA=${GONGKAI_SIGN_CA:-/etc/ssl/certs/ca-certificates.crt}
pass_args=()
if [ -n "${GONGKAI_SIGN_PASSWORD_FILE:-}" ]; then pass_args=(-readpass "$GONGKAI_SIGN_PASSWORD_FILE"); fi
ts_args=()
if [ -n "${GONGKAI_SIGN_TIMESTAMP_URL:-}" ]; then ts_args=(-ts "$GONGKAI_SIGN_TIMESTAMP_URL"); fi
for file in "$@"; do
  osslsigncode sign -pkcs12 "$GONGKAI_SIGN_PFX" "${pass_args[@]}" "${ts_args[@]}" -h sha256 \
    -n "政务公开自查" -in "$file" -out "$file.signed" >/dev/null
  mv "$file.signed" "$file"
  if ! report=$(osslsigncode verify -CAfile "$CA" -in "$file" 2>&1); then
    echo "$report" >&2
    echo "sign_windows: the signature of $file does not verify" >&2
    exit 1
  fi
  echo "sign_windows: signed and verified $(basename "$file") ($(grep -m1 -o 'Subject: .*' <<<"$report" || true))"
done
