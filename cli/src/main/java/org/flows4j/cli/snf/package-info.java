/**
 * {@code flows4j snf}: stochastic-normalizing-flow commands. {@code flows4j snf doublewell
 * --method rnvp|rnvp+mc|nsf|nsf+mc --runs 10 [--seed S] [--threads T] [--out DIR]} reproduces a
 * row of Table 1 of Wu, Koehler and Noe (2020) and writes metrics.json, free_energy.png (Fig. 4)
 * and samples.png (Fig. 1).
 */
package org.flows4j.cli.snf;
