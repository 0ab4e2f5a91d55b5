build-land/viz/model/view_model.o: viz/model/view_model.c runtime/alloc.h \
 viz/model/constructs.h viz/model/view_model.h \
 runtime/model/trace_model.h viz/model/findings.h viz/model/playhead.h
runtime/alloc.h:
viz/model/constructs.h:
viz/model/view_model.h:
runtime/model/trace_model.h:
viz/model/findings.h:
viz/model/playhead.h:
