# Living Room. `make run` starts the local stack; `make test` runs every test.
# Both install what is missing first (npm packages, Debian packages, Go tools).

SHELL := /bin/bash
GO ?= go
BIN := $(CURDIR)/bin
LAMBDAS := skill device-api custom-skill catalog-export
SERVICES := device-push tvapp-sim alexa-sim catalog-exporter
export DYNALITE_PORT ?= 8100

.PHONY: run test qa deps test-deps build lint fuzz clean bench-push bench
.PHONY: build-SkillFunction build-DeviceApiFunction build-CatalogExportFunction build-CustomSkillFunction sam-build-check

run: deps build
	$(BIN)/stack

test: deps test-deps build lint
	DYNAMODB_TEST_REQUIRED=1 XMLLINT_REQUIRED=1 LIVINGROOM_BIN=$(BIN) infra/local/with-dynalite.sh \
		$(GO) test -race -count=1 ./...
	$(MAKE) --no-print-directory fuzz
	$(MAKE) --no-print-directory qa QA_FLAGS=--start

# The QA scenarios (qa/scenarios/*.yaml) against the running stack (`make run`),
# or a fresh one on free ports when none answers (QA_FLAGS=--start: always).
# JUnit XML in .run/qa/junit.xml (QA_FLAGS="--junit FILE" elsewhere).
QA_FLAGS ?=
qa: deps build
	LIVINGROOM_BIN=$(BIN) $(BIN)/qa $(QA_FLAGS)

# Each decoder's fuzz test runs briefly in every `make test` (the seed corpus
# and testdata/fuzz regressions always run as plain tests). FUZZTIME=5m for a
# longer local run.
FUZZTIME ?= 5s
FUZZ_TARGETS := ./internal/skill:FuzzInvoke ./internal/action:FuzzDecode ./tvapp-sim/player:FuzzApplyData \
	./tvapp-sim/client:FuzzDecodeFrames ./alexa-sim/nlu:FuzzParse ./alexa-sim/gateway:FuzzEvent \
	./qa/scenario:FuzzParse ./tvapp-sim/fault:FuzzDecodeRequest ./device-push/server:FuzzParseMessage ./device-push/server:FuzzParseData \
	./internal/customskill:FuzzInvoke ./internal/adm:FuzzParseReceipt \
	./internal/push:FuzzEncodeMessage ./internal/push:FuzzDecodeAck ./alexa-sim/askskill:FuzzUnderstand ./device-push/jetstream:FuzzDecodePayload \
	./device-push/hub:FuzzSkipPong
fuzz:
	GO=$(GO) FUZZTIME=$(FUZZTIME) infra/local/fuzz.sh $(FUZZ_TARGETS)

deps: infra/local/node_modules/.package-lock.json
infra/local/node_modules/.package-lock.json: infra/local/package-lock.json
	npm ci --prefix infra/local --no-audit --no-fund

# The tests also need curl (readiness of dynalite), Debian's chromium
# (the TV page is checked in a real headless browser) and xmllint from
# libxml2-utils (CDF output is validated against its XSD).
test-deps:
	@command -v curl >/dev/null && command -v chromium >/dev/null && command -v xmllint >/dev/null || { \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends curl chromium libxml2-utils; }

# Host binaries for the local stack and the end-to-end tests.
build:
	@mkdir -p $(BIN)
	$(GO) build -o $(BIN)/aws-lambda-rie github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie
	$(foreach f,$(LAMBDAS),$(GO) build -tags lambda.norpc -o $(BIN)/lambdas/$(f)/bootstrap ./lambdas/$(f) &&) true
	$(foreach s,$(SERVICES),$(GO) build -o $(BIN)/$(s) ./$(s) &&) true
	$(GO) build -o $(BIN)/stack ./infra/stack
	$(GO) build -o $(BIN)/qa ./qa
	$(GO) build -o $(BIN)/pushload ./device-push/loadtest/pushload

# device-push against Centrifugo v6.9.1 side by side (10k devices, 8 senders, 128 B; ~5 min; installs
# Centrifugo with `go install` if missing). Results in .run/pushload/, table on stdout. Not part of make test.
bench-push: build
	device-push/loadtest/side-by-side.sh

# Every benchmark and load tool in one run (under 10 minutes, reduced sizes where needed): rewrites the
# summary table at the top of docs/BENCHMARKS.md (between its markers) with each figure, the command that
# produced it and the machine. Centrifugo's column is "not run" unless $(go env GOPATH)/bin/centrifugo exists
# (`make bench-push` installs it). BENCH_FLAGS="-only skill,nlu -dry-run" for a part. Logs in .run/bench/.
BENCH_FLAGS ?=
bench: deps build
	$(GO) run ./infra/bench $(BENCH_FLAGS)

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' | grep -v '^infra/local/node_modules/') 2>&1); \
		if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

# SAM build targets (BuildMethod: makefile): linux/arm64 bootstrap per function.
build-SkillFunction:
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build -tags lambda.norpc -o $(ARTIFACTS_DIR)/bootstrap ./lambdas/skill
build-DeviceApiFunction:
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build -tags lambda.norpc -o $(ARTIFACTS_DIR)/bootstrap ./lambdas/device-api
build-CatalogExportFunction:
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build -tags lambda.norpc -o $(ARTIFACTS_DIR)/bootstrap ./lambdas/catalog-export
build-CustomSkillFunction:
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build -tags lambda.norpc -o $(ARTIFACTS_DIR)/bootstrap ./lambdas/custom-skill

# Runs every build-<LogicalId> target as `sam build` would and checks each
# bootstrap is a static linux/arm64 binary (minutes on a cold cache; not in make test).
sam-build-check:
	LIVINGROOM_SAM_BUILD=1 $(GO) test -count=1 -run TestMakeBuildTargets ./infra/

clean:
	rm -rf $(BIN)
