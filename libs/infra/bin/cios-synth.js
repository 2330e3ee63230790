#!/usr/bin/env node
import "../dist/synth-cli.js";
