build-land/viz/model/constructs.o: viz/model/constructs.c runtime/alloc.h \
 viz/model/constructs.h viz/model/view_model.h \
 runtime/model/trace_model.h
runtime/alloc.h:
viz/model/constructs.h:
viz/model/view_model.h:
runtime/model/trace_model.h:
