# Lumen's image: the API (run with tsx) and the built admin UI.
FROM node:20-bookworm-slim
WORKDIR /lumen
ENV NODE_ENV=production TURBO_TELEMETRY_DISABLED=1
COPY package.json package-lock.json turbo.json codegen.ts ./
COPY api/package.json api/package.json
COPY admin-ui/package.json admin-ui/package.json
COPY prisma prisma
COPY api api
COPY admin-ui admin-ui
# Dev dependencies are needed to generate the Prisma client and build the UI.
RUN npm ci --include=dev --no-audit --no-fund && npm run build
EXPOSE 4000
USER node
CMD ["node", "--import", "tsx", "api/src/server.ts"]
