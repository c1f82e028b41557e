/**
 * Lethe's core services. This bundle exports nothing: its services are registered under the API's
 * interfaces ({@code ModelStore}, {@code DataService}, {@code RunService}, ...).
 */
package org.lethe.core;
