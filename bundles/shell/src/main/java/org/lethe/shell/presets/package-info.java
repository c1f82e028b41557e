/**
 * Presets: named settings for a method, kept as factory configurations with the dedicated factory PID
 * {@value org.lethe.shell.presets.Presets#FACTORY_PID} (files {@code etc/org.lethe.preset-<name>.cfg},
 * watched by FileInstall), applied with {@code --preset <name>}.
 */
package org.lethe.shell.presets;
