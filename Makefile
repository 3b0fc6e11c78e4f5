# CellFreeLab: the two set-up commands are `make reproduce` and `make test` (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := build

# System packages the build, the tests and the figures need (Debian 12 names); python3-h5py: the
# smoke test reads our HDF5 and CSV as a Python user does (scripts/read_result.py).
DEB_PACKAGES := libopenblas-dev liblapacke-dev libhdf5-dev hdf5-tools libssl-dev gnuplot-nox pkg-config python3-h5py
SWIFT ?= swift

.PHONY: deps build release test test-slurm bench reproduce figures-latex clean

# Installs only the packages that are missing; needs root (or sudo) the first time only.
deps:
	@missing=""; \
	for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "deps: installing$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO=sudo; \
	  else echo "deps: need root or sudo to install:$$missing" >&2; exit 1; fi; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "deps: all system packages present"; fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

test: deps
	$(SWIFT) test

# The Slurm executor's tests against a single-node Slurm on this machine (installs slurm-wlm and
# munge if missing, starts slurmctld + slurmd, stops them again if it started them).
test-slurm: deps
	$(SWIFT) build --build-tests
	@was_running=0; scripts/slurm-local.sh status >/dev/null 2>&1 && was_running=1; \
	scripts/slurm-local.sh start || exit 1; \
	$(SWIFT) test --filter SlurmTests; status=$$?; \
	[ $$was_running = 1 ] || scripts/slurm-local.sh stop; \
	exit $$status

bench: release
	$(SWIFT) run -c release cellfree bench linalg
	$(SWIFT) run -c release cellfree bench physics
	$(SWIFT) run -c release cellfree bench labels
	$(SWIFT) run -c release cellfree bench models
	$(SWIFT) run -c release cellfree bench pipeline

# Builds the release binary and runs manifests/reproduce.yaml (PROFILE=default unless given) with
# both cores; figures land in outputs/figures/. Rerunning recomputes nothing that is cached.
PROFILE ?= default
JOBS ?= 2
reproduce: deps
	$(SWIFT) build -c release
	.build/release/cellfree run manifests/reproduce.yaml --profile $(PROFILE) -j $(JOBS)

# Re-renders every figure of outputs/figures (after `make reproduce`) for LaTeX at IEEE column width
# (3.5 in; FIG_SIZE=7.16in,3in for a double-column figure): outputs/figures/latex/<name>.tex + .pdf,
# text set by LaTeX. In the paper: \usepackage{graphicx} (and UTF-8 input for σ, τ), then
# \input{latex/<name>.tex} with the PDF beside it. One file: make figures-latex FIGURES=la-fig5-se-vs-k
FIG_SIZE ?= 3.5in,2.4in
FIGURES ?= $(patsubst outputs/figures/%.gp,%,$(wildcard outputs/figures/*.gp))
figures-latex:
	@mkdir -p outputs/figures/latex
	@cd outputs/figures && for f in $(FIGURES); do \
	  gnuplot -e "set terminal cairolatex pdf size $(FIG_SIZE) font ',8'; set output 'latex/$$f.tex'" $$f.gp \
	    && sed -i "s|{latex/$$f}|{$$f}|" latex/$$f.tex \
	    && echo "figure outputs/figures/latex/$$f.{tex,pdf}" || exit 1; \
	done

clean:
	rm -rf .build .build-*
