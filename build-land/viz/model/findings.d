build-land/viz/model/findings.o: viz/model/findings.c runtime/alloc.h \
 viz/model/findings.h viz/model/view_model.h runtime/model/trace_model.h \
 viz/model/playhead.h
runtime/alloc.h:
viz/model/findings.h:
viz/model/view_model.h:
runtime/model/trace_model.h:
viz/model/playhead.h:
