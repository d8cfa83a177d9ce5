package dev.partitionkeeper.workflows;

import java.util.List;

/**
 * Input of a maintenance pass.
 *
 * @param tables tables to maintain, as written in the policy (e.g. {@code public.transactions}); empty = all
 * @param dryRun plan and check only
 * @param reason free text shown in history ("scheduled", "operator request: ...")
 */
public record MaintenanceRequest(List<String> tables, boolean dryRun, String reason) {

  public MaintenanceRequest {
    tables = tables == null ? List.of() : List.copyOf(tables);
    reason = reason == null ? "" : reason;
  }

  public static MaintenanceRequest all(String reason) {
    return new MaintenanceRequest(List.of(), false, reason);
  }
}
