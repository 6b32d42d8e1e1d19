# One image for the three services; docker-compose.yml picks the service with `command:`
# (npm run start:auth | start:tickets | start:reseller-settings). No secrets are baked in:
# configuration comes from the environment at run time (see .env.example).

# --- deps: every dependency, for the build ----------------------------------------------------
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
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
