# One image for the three services; docker-compose.yml picks the service with `command:`
# (npm run start:auth | start:tickets | start:reseller-settings). No secrets are baked in:
# configuration comes from the environment at run time (see .env.example).

# --- deps: every dependency, for the build ----------------------------------------------------
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# The libraries are npm workspaces (@pbx2fa/*): npm links them from their package.json, and each
# index.js hands Node the library's build in dist/.
COPY libs/config/package.json libs/config/index.js ./libs/config/
COPY libs/contracts/package.json libs/contracts/index.js ./libs/contracts/
COPY libs/messaging/package.json libs/messaging/index.js ./libs/messaging/
COPY libs/persistence/package.json libs/persistence/index.js ./libs/persistence/
COPY libs/platform/package.json libs/platform/index.js ./libs/platform/
RUN npm ci --no-audit --no-fund

# --- build: TypeScript -> dist/ -----------------------------------------------------------------
FROM deps AS build
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY libs ./libs
COPY apps ./apps
RUN npm run build

# --- runtime: production dependencies and dist/ only, as the unprivileged `node` user ---------
FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false
WORKDIR /app
COPY package.json package-lock.json ./
# The workspaces' package.json and index.js only (no sources), as the deps stage has them.
COPY --from=deps /app/libs ./libs
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The dashboard (/) and the desk (/desk): static files the gateway serves as they are.
COPY apps/auth/public ./apps/auth/public
# The compose `secrets` service's script; the volume it writes starts as this folder, owned by `node`.
COPY scripts/compose-secrets.js ./scripts/compose-secrets.js
RUN mkdir -p /run/pbx2fa-secrets && chown node:node /run/pbx2fa-secrets
# Files stay owned by root (read-only for the app); the process runs as `node`.
USER node
EXPOSE 3000 3001 3002
CMD ["npm", "run", "start:auth"]
