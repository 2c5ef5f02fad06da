# A build server for the compose cluster: sshd, a key-only build user and the kernel toolchain.
FROM debian:12
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      openssh-server git ca-certificates build-essential bc bison flex libelf-dev libssl-dev cpio kmod \
      gcc-aarch64-linux-gnu \
    && rm -rf /var/lib/apt/lists/* \
    && useradd -m -s /bin/bash kfbuild && usermod -p '*' kfbuild \
    && install -d -o kfbuild -g kfbuild /tmp/builds && mkdir -p /run/sshd
# The farm's public key arrives through the keys volume; host keys are generated on first start.
CMD ["/bin/sh", "-c", "ssh-keygen -A && install -d -m 700 -o kfbuild -g kfbuild /home/kfbuild/.ssh && cp /keys/farm_ed25519.pub /home/kfbuild/.ssh/authorized_keys && chown kfbuild /home/kfbuild/.ssh/authorized_keys && ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub -E sha256 > /keys/$(hostname).fingerprint && exec /usr/sbin/sshd -D -e"]
