#!/usr/bin/env bash
# Makes the credential that lets a farm node into the cluster (docs/cluster-tls.md): a cluster CA
# and one node certificate signed by it, bundled as PKCS#12 with a random password.
#   scripts/make-cluster-cert.sh <dir> [days]      (days: the node certificate's validity, default 825)
# Writes into <dir> (mode 700; files 600):
#   ca.key              the CA's private key: keep it offline; only needed to issue the next node.p12
#   ca.crt              the CA certificate (public)
#   node.p12            node certificate + private key + CA certificate: give it to every node
#                       (Farm__ClusterTls__CertificatePath)
#   node.p12.password   its password (Farm__ClusterTls__PasswordFile)
# An existing ca.key/ca.crt in <dir> is reused (a new node.p12 from the same CA: rotation without a
# cluster-wide change); an existing node.p12 is never overwritten.
set -euo pipefail
dir=${1:?usage: $0 <dir> [days]}
days=${2:-825}
[[ $days =~ ^[0-9]+$ ]] || { echo "days must be a number, not '$days'" >&2; exit 2; }
umask 077
mkdir -p "$dir"
chmod 700 "$dir"
cd "$dir"
[ -e node.p12 ] && { echo "$dir/node.p12 exists; move it away first (it may be deployed)" >&2; exit 1; }

if [ ! -s ca.key ] || [ ! -s ca.crt ]; then
  [ -e ca.key ] || [ -e ca.crt ] && { echo "$dir has only one of ca.key and ca.crt" >&2; exit 1; }
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ca.key
  openssl req -x509 -new -key ca.key -sha256 -days 3650 -subj "/CN=KernelFarm cluster CA" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" -out ca.crt
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/node.key"
openssl req -new -key "$work/node.key" -subj "/CN=kernelfarm-node" -out "$work/node.csr"
# Every node uses the same certificate: the cluster's peers are "holders of a certificate from this
# CA", not named hosts, so no hostname is checked (nodes are addressed by IP as often as by name).
cat > "$work/ext" <<'EOF'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=DNS:kernelfarm-node
EOF
openssl x509 -req -in "$work/node.csr" -CA ca.crt -CAkey ca.key -set_serial "0x$(openssl rand -hex 16)" \
  -days "$days" -sha256 -extfile "$work/ext" -out "$work/node.crt" 2>/dev/null
openssl rand -hex 24 > node.p12.password
openssl pkcs12 -export -inkey "$work/node.key" -in "$work/node.crt" -certfile ca.crt -name kernelfarm-node \
  -passout file:node.p12.password -out node.p12
echo "cluster credential in $dir: node.p12 (password in node.p12.password); keep ca.key offline"
