# One image for the gateway (default command) and the demo REST services (docker-compose.yml).
# Multi-stage: the build stage installs production dependencies; the runtime stage gets only them
# and the sources, compiles them once (bin/compiled.cjs) so no container start pays for it, and runs
# as the unprivileged `node`.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
COPY --chown=node:node package.json tsconfig.json tessera.config.yaml tessera.config.schema.json ./
COPY --chown=node:node bin ./bin
COPY --chown=node:node gateway ./gateway
COPY --chown=node:node sources ./sources
COPY --chown=node:node schema ./schema
USER node
RUN node bin/tessera.cjs help > /dev/null
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Heap settings for a gateway under load: bench/children.ts (GATEWAY_NODE_FLAGS) says why.
CMD ["node", "--max-semi-space-size=64", "--heap-growing-percent=50", "bin/tessera.cjs", "serve", "--host", "0.0.0.0"]
