package dev.partitionkeeper.workflows;

import dev.partitionkeeper.workflows.model.TablePolicy;

/** Input of the per-table child workflow. */
public record TableMaintenanceRequest(TablePolicy policy, boolean dryRun, String reason) {}
