# Two commands: `make run` and `make test`. Both set up .venv from uv.lock first when it is missing or stale.
PYTHON ?= python3.11
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV_STAMP := .venv/.synced-stamp
DBT_DIR := dbt_project
DATA_DIR ?= $(or $(TCN_DATA_DIR),$(CURDIR)/data)

export DO_NOT_TRACK := 1
export DAGSTER_DISABLE_TELEMETRY := 1
export UV_PYTHON_DOWNLOADS := never

.PHONY: run test setup manifest dev clean

setup: $(VENV_STAMP)

# uv lives in its own small venv so `uv sync` (exact) never removes it from .venv
$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==0.13.9

# bytecode compiled once here: a run then starts its Python processes (tcn, dbt) seconds sooner
$(VENV_STAMP): $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --compile-bytecode --python $(PYTHON)
	touch $@

# dagster-dbt builds its assets from dbt's manifest; `dbt parse` needs no database. Parsed again only when the
# dbt project changed; dagster-dbt copies this parse into a new data dir's dbt target (partial parse), and dbt
# reuses it there: the DuckDB path is the one tcn's dbt sees from any data dir (orchestration/dbt_launcher.py).
DBT_SOURCES := $(shell find $(DBT_DIR)/models $(DBT_DIR)/macros $(DBT_DIR)/tests -type f) \
	$(DBT_DIR)/dbt_project.yml $(DBT_DIR)/profiles.yml $(DBT_DIR)/selectors.yml
MANIFEST := $(DBT_DIR)/target/manifest.json

manifest: $(MANIFEST)

$(MANIFEST): $(VENV_STAMP) $(DBT_SOURCES)
	cd $(DBT_DIR) && TCN_DUCKDB_PATH=warehouse.duckdb \
		../.venv/bin/dbt parse --quiet --project-dir . --profiles-dir .

run: manifest
	.venv/bin/tcn refresh --data-dir $(DATA_DIR)

test: manifest
	.venv/bin/pytest

# the Dagster UI and its daemon (schedule, freshness); runs persist under $(DATA_DIR)/dagster_home. The two
# services `dagster dev` starts, started as themselves (`dagster dev` is superseded by the `dg` CLI, which needs
# another project layout); stopping the UI (Ctrl-C) stops the daemon.
dev: manifest
	.venv/bin/python -c "from orchestration.settings import configure_environment as c; c('$(DATA_DIR)')"
	export TCN_DATA_DIR=$(DATA_DIR) DAGSTER_HOME=$(DATA_DIR)/dagster_home; \
	.venv/bin/dagster-daemon run -w workspace.yaml & daemon=$$!; \
	trap 'kill $$daemon 2>/dev/null' EXIT INT TERM; \
	.venv/bin/dagster-webserver -w workspace.yaml -h 127.0.0.1 -p 3000

clean:
	rm -rf $(TOOLS) .venv $(DBT_DIR)/target $(DBT_DIR)/logs
