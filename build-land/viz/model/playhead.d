build-land/viz/model/playhead.o: viz/model/playhead.c \
 viz/model/playhead.h viz/model/view_model.h runtime/model/trace_model.h
viz/model/playhead.h:
viz/model/view_model.h:
runtime/model/trace_model.h:
