import Pipeline

/// The experiments' stage kinds.
public let experimentStageKinds: [any StageKind] = [LayoutsStage(), BaselinesStage(), MaxMinClusteringStage(), ChannelsStage(), TrainStage(), EvaluateStage(), AblateStage(),
                                                  FigureStage(), TableStage(), ReportStage()]
