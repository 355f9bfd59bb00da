# Build a static binary, then run it as a non-root user in a distroless image.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /out/timebank ./cmd/timebank

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/timebank /timebank
USER nonroot:nonroot
ENV TIMEBANK_ADDR=:8080 TIMEBANK_ENV=production
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s CMD ["/timebank", "healthcheck"]
ENTRYPOINT ["/timebank"]
CMD ["serve"]
