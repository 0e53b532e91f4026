/** The panamax command line. */
package dev.panamax.transformer.cli;
