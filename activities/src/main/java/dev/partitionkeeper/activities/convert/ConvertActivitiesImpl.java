package dev.partitionkeeper.activities.convert;

import dev.partitionkeeper.activities.postgres.LockSettings;
import dev.partitionkeeper.workflows.convert.ConvertActivities;
import dev.partitionkeeper.workflows.convert.ConvertRequest;
import dev.partitionkeeper.workflows.convert.CopyResult;
import dev.partitionkeeper.workflows.convert.Inspection;
import dev.partitionkeeper.workflows.convert.PartitionLayout;
import dev.partitionkeeper.workflows.convert.ReplayResult;
import dev.partitionkeeper.workflows.convert.SwapResult;
import dev.partitionkeeper.workflows.convert.Verification;
import javax.sql.DataSource;

/**
 * The conversion steps on PostgreSQL. See {@link ConvertActivities} for what each promises; each step is a class of
 * its own ({@link InspectStep}, {@link PrepareStep}, {@link CopyStep}, {@link ReplayStep}, {@link VerifyStep},
 * {@link SwapStep} with {@link AbandonStep}, {@link FinishStep}) sharing one {@link StepContext}. The steps keep no
 * state of their own, so most are records of that context; {@link CopyStep} is a class for its test hook.
 */
public final class ConvertActivitiesImpl implements ConvertActivities {
    private final InspectStep inspect;
    private final PrepareStep prepare;
    private final CopyStep copy;
    private final ReplayStep replay;
    private final VerifyStep verify;
    private final SwapStep swap;
    private final FinishStep finish;

    public ConvertActivitiesImpl(DataSource dataSource, LockSettings locks, String bookkeepingSchema) {
        StepContext ctx = new StepContext(dataSource, locks, bookkeepingSchema);
        this.inspect = new InspectStep(ctx);
        this.prepare = new PrepareStep(ctx);
        this.copy = new CopyStep(ctx);
        this.replay = new ReplayStep(ctx);
        this.verify = new VerifyStep(ctx);
        this.swap = new SwapStep(ctx);
        this.finish = new FinishStep(ctx);
    }

    /** Test hook: see {@link CopyStep.BatchHook}. */
    void hook(CopyStep.BatchHook h) {
        copy.hook(h);
    }

    @Override
    public Inspection inspect(ConvertRequest request) {
        return inspect.inspect(request);
    }

    @Override
    public String prepare(ConvertRequest request, PartitionLayout layout) {
        return prepare.prepare(request, layout);
    }

    @Override
    public CopyResult copy(ConvertRequest request) {
        return copy.copy(request);
    }

    @Override
    public ReplayResult replay(ConvertRequest request, boolean reverse) {
        return replay.replay(request, reverse);
    }

    @Override
    public Verification verify(ConvertRequest request, String when) {
        return verify.verify(request, when);
    }

    @Override
    public SwapResult swap(ConvertRequest request, boolean back) {
        return swap.swap(request, back);
    }

    @Override
    public String finish(ConvertRequest request) {
        return finish.finish(request);
    }
}
