# One image recipe for every process; each service, the worker and the simulator is its own image,
# chosen with build args (docker-compose.yml passes them). Build from the repository root, e.g.:
#   docker build --build-arg PACKAGE=@banditore/ingest --build-arg PORT=3001 -t banditore/ingest .
#   docker build --build-arg PACKAGE=@banditore/provider-simulator --build-arg PORT=3100 \
#     --build-arg ENTRY=dist/main.js --build-arg HEALTH_PATH=/_sim/health -t banditore/simulator .
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
ARG PACKAGE
RUN test -n "$PACKAGE" || (echo "build arg PACKAGE is required (e.g. @banditore/ingest)" >&2; exit 1)
RUN npm install -g pnpm@10
WORKDIR /src
COPY . .
RUN pnpm install --frozen-lockfile \
 && pnpm --filter "${PACKAGE}..." run build \
 && pnpm --filter "${PACKAGE}" deploy --legacy --prod /app

FROM ${NODE_IMAGE}
ARG PORT=3000
ARG ENTRY=dist/main.js
ARG HEALTH_PATH=/healthz
ENV NODE_ENV=production HOST=0.0.0.0 PORT=${PORT} ENTRY=${ENTRY} HEALTH_PATH=${HEALTH_PATH} TENANTS_DIR=/app/tenants RULES_DIR=/app/rules
WORKDIR /app
COPY --from=build /app ./
COPY tenants ./tenants
COPY rules ./rules
USER node
EXPOSE ${PORT}
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+process.env.HEALTH_PATH).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# `exec` replaces the shell, so SIGTERM reaches node directly and shutdown is graceful.
CMD ["sh", "-c", "exec node \"$ENTRY\""]
