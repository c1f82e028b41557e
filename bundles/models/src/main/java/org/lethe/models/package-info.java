/** Lethe's built-in model architectures, each registered as a {@code ModelArchitecture} service. */
package org.lethe.models;
